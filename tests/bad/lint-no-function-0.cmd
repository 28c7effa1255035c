-o
/dev/null
tests/bad/lint-no-function-0.xml
