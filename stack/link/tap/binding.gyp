{
  "targets": [
    {
      "target_name": "tap",
      "sources": ["tap.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
