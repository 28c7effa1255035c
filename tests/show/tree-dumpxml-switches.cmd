--show=tree
tests/xml-out/q35-016-switch-topology.xml
