--strip
--machine
q35
examples/minimal-pc.xml
