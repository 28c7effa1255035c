-o
/dev/null
tests/bad/lint-controller-cycle.xml
