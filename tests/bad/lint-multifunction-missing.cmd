-o
/dev/null
tests/bad/lint-multifunction-missing.xml
