#!/usr/bin/env bash
# Packs `npm run bench:gpu` for a GPU box with no Node and no network (as ../shared/gpu/pack-for-device.sh
# does for the probes): run from the repo root after `npm ci`; copy .gpu/ and .gl/ (both git-ignored
# through .git/info/exclude) with the repo, and there run `bash .gpu/run-gpu-bench.sh [--quick]`.
#   .gpu/gpu-bench.mjs       our code, one esbuild bundle (everything but the Dawn addon)
#   .gpu/node.xz             this machine's node binary, compressed
#   .gpu/modules.tar.xz      node_modules/webgpu (dawn.node, linux-x64 only): the one package not bundled
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
npx esbuild test/bench/gpuBench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --ignore-annotations --outfile=.gpu/gpu-bench.mjs --log-level=warning \
  --banner:js="import { createRequire as __wbCreateRequire } from 'node:module'; const require = __wbCreateRequire(import.meta.url);"
cp test/bench/pytorchGpuAnchor.py test/bench/pytorchAnchor.py .gpu/

xz -T0 -6 -c "$(command -v node)" > .gpu/node.xz
tmp=$(mktemp -d)
mkdir -p "$tmp/node_modules"
cp -rL node_modules/webgpu "$tmp/node_modules/webgpu"
rm -rf "$tmp"/node_modules/webgpu/dist/{win32,darwin,linux-arm64}* "$tmp"/node_modules/webgpu/build
tar -C "$tmp" -cf - node_modules | xz -T0 -6 > .gpu/modules.tar.xz
rm -rf "$tmp"

cat > .gpu/run-gpu-bench.sh <<'RUN'
#!/usr/bin/env bash
# On the GPU box, from the repo root: unpack node and Dawn, point Vulkan at NVIDIA's driver, run the bench.
set -euo pipefail
for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
ldconfig 2>/dev/null || true
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
mkdir -p /tmp/g
xz -dc .gpu/node.xz > /tmp/g/node && chmod +x /tmp/g/node
tar -C /tmp/g -xJf .gpu/modules.tar.xz
# ESM resolves bare imports by walking up from the bundle (NODE_PATH is ignored): put webgpu beside it.
ln -sfn /tmp/g/node_modules .gpu/node_modules
exec /tmp/g/node .gpu/gpu-bench.mjs "$@"
RUN
chmod +x .gpu/run-gpu-bench.sh

if [ "${1:-}" != "--no-debs" ]; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists'
  mkdir -p /tmp/amd64-lists/partial
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0 2>/dev/null)
fi
du -sh .gpu .gl
