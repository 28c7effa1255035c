--machine=pc
--show=json
tests/xml-out/q35-003-desktop.xml
