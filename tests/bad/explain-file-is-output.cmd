--explain=out.xml
-o
out.xml
examples/minimal-pc.xml
