--strip
tests/show/strip-formatting.xml
