-m
q35
tests/xml-out/pc-001-minimal.xml
