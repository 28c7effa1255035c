--strip
tests/xml-out/q35-122-mixed-everything.xml
