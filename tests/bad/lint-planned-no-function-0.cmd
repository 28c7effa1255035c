-o
/dev/null
tests/bad/lint-planned-no-function-0.xml
