-W
-o
/dev/null
tests/bad/lint-grouped-scsi-disks.xml
