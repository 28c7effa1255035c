--check
-i
examples/desktop-pc.xml
