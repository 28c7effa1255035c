tests/bad/nosuch.xml
