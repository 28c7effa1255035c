--show=tree
tests/xml-in/aarch64-002-mixed.xml
