-i
-o
out.xml
examples/desktop-pc.xml
