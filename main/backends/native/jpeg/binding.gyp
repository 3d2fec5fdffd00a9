{
  "targets": [
    {
      "target_name": "workbench_jpeg",
      "sources": ["src/jpegAddon.cc", "src/jpegDecode.cc", "src/resize.cc", "src/fileProbe.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["-ljpeg", "-lpthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] }
    }
  ]
}
