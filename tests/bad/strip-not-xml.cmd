--strip
tests/bad/not-xml.xml
