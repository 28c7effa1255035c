-o
/dev/null
tests/bad/lint-multifunction-off.xml
