--check
--explain
examples/minimal-pc.xml
examples/server-pc.xml
