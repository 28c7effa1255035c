--explain
-o
/dev/null
tests/xml-in/pc-061-pci-bridge-index-gap.xml
