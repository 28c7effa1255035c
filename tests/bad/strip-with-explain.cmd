--strip
--explain
examples/minimal-pc.xml
