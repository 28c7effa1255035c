--strip
tests/show/strip-crlf.xml
