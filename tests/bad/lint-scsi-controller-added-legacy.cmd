-o
/dev/null
tests/bad/lint-scsi-controller-added-legacy.xml
