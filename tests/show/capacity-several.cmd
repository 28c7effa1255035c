--check
--capacity
examples/minimal-pc.xml
tests/xml-out/q35-003-desktop.xml
