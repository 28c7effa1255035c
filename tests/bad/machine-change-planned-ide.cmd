-m
q35
tests/xml-out/pc-009-ide-disk-cdrom.xml
