--machine
pc-i440fx-6.0
examples/minimal-pc.xml
