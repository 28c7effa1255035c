--check
-o
out.xml
examples/desktop-pc.xml
