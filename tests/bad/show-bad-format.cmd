--show=svg
examples/minimal-pc.xml
