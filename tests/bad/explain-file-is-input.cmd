--explain=examples/minimal-pc.xml
examples/minimal-pc.xml
