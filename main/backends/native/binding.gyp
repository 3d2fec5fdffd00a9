{
  "targets": [
    {
      "target_name": "workbench_kernels",
      "sources": ["src/workbenchKernels.cc", "src/convKernels.cc", "src/batchNormKernels.cc", "src/gradientKernels.cc", "src/blasLoader.cc", "src/inferenceKernels.cc", "src/directConv.cc", "src/directConvFilter.cc", "src/instructionSets.cc", "src/copyKernels.cc", "src/optimizerKernels.cc", "src/winogradConv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fopenmp", "-fno-tree-loop-distribute-patterns", "-fno-trapping-math", "-fno-math-errno"],
      "ldflags": ["-fopenmp"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["-ldl"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] }
    }
  ]
}
