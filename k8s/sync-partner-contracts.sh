#!/usr/bin/env bash
# Makes k8s/base/partner-contracts/ an exact copy of the repository's partner-contracts/ and lists every file in the
# configMapGenerator of k8s/base/kustomization.yaml (between the BEGIN/END partner-contracts markers).
# kustomize reads no file outside its kustomization's directory, hence the copy; KubernetesManifestsTest fails
# while the copy or the list is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=partner-contracts
copy_dir=k8s/base/partner-contracts
kustomization=k8s/base/kustomization.yaml

mkdir -p "$copy_dir"
find "$copy_dir" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) -delete
shopt -s nullglob
files=("$source_dir"/*.yaml "$source_dir"/*.yml)
[ ${#files[@]} -gt 0 ] || { echo "no contracts in $source_dir/" >&2; exit 1; }
cp "${files[@]}" "$copy_dir/"

list=$(for f in "${files[@]}"; do echo "      - partner-contracts/$(basename "$f")"; done | sort)
awk -v list="$list" '
  /# BEGIN partner-contracts/ { print; print list; skipping = 1; next }
  /# END partner-contracts/ { skipping = 0 }
  !skipping { print }
' "$kustomization" > "$kustomization.tmp"
mv "$kustomization.tmp" "$kustomization"
echo "synced ${#files[@]} partner contracts into $copy_dir and $kustomization"

# The coalition's own program (tiers), a ConfigMap of its own (kustomization.yaml, coalition-program).
mkdir -p "$copy_dir/coalition"
find "$copy_dir/coalition" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) -delete
program=("$source_dir"/coalition/*.yaml "$source_dir"/coalition/*.yml)
[ ${#program[@]} -gt 0 ] && cp "${program[@]}" "$copy_dir/coalition/"
list=$(for f in "${program[@]}"; do echo "      - partner-contracts/coalition/$(basename "$f")"; done | sort)
awk -v list="$list" '
  /# BEGIN coalition-program/ { print; print list; skipping = 1; next }
  /# END coalition-program/ { skipping = 0 }
  !skipping { print }
' "$kustomization" > "$kustomization.tmp"
mv "$kustomization.tmp" "$kustomization"
echo "synced ${#program[@]} coalition program files into $copy_dir/coalition"
