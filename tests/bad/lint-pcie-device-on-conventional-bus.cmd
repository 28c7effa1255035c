-o
/dev/null
tests/bad/lint-pcie-device-on-conventional-bus.xml
