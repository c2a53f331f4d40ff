# The native gallery scan kernel (gallery_scan.cc), built by scripts/build-native.mjs with
# node-gyp into build/Release/gallery_scan.node. -march=native: it is compiled on the machine
# that runs it (the build script rebuilds when the CPU changes).
{
  'targets': [
    {
      'target_name': 'gallery_scan',
      'sources': ['gallery_scan.cc'],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'defines': ['NAPI_VERSION=8'],
      'cflags_cc': ['-O3', '-march=native'],
      'xcode_settings': {'OTHER_CPLUSPLUSFLAGS': ['-O3', '-march=native']},
    },
  ],
}
