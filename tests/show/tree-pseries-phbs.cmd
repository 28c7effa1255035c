--show=tree
tests/xml-in/ppc64-019-user-phbs-target-index.xml
