-o
/dev/null
tests/bad/lint-address-names-missing-bus.xml
