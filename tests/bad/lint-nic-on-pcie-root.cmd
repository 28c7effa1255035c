-o
/dev/null
tests/bad/lint-nic-on-pcie-root.xml
