--reserve
1000
--show=json
tests/xml-in/q35-007-200-pcie-devices.xml
