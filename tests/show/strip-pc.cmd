--strip
tests/xml-out/pc-122-mixed-everything.xml
