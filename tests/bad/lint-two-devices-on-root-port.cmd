-o
/dev/null
tests/bad/lint-two-devices-on-root-port.xml
