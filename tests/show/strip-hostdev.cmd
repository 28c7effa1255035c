--strip
tests/xml-out/pc-077-interface-hostdev.xml
