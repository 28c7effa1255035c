--show=json
-i
examples/minimal-pc.xml
