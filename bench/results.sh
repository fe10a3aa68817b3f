#!/usr/bin/env bash
# Sourced by the bench scripts: `write_results <section> <title> <file>` puts the figures a script printed (the file)
# into docs/results.md as that section, replacing the section's previous figures and leaving the others as they are.
# The page is written only by these scripts, so every figure on it says which command measured it, where and when.

results_page() { echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/docs/results.md"; }

write_results() {
  local section=$1 title=$2 figures=$3 page block
  page=$(results_page)
  block=$(mktemp)
  {
    echo "<!-- $section: begin -->"
    echo "## $title"
    echo
    echo "Written by \`$section\` on $(date -u +%Y-%m-%d), $(nproc) cores, node $(node --version)$(uname -r | sed 's/^/, Linux /')."
    echo
    echo '```text'
    cat "$figures"
    echo '```'
    echo "<!-- $section: end -->"
  } >"$block"
  if [ ! -f "$page" ]; then
    printf '%s\n\n%s\n' '# Results' "Figures measured by the scripts in \`bench/\`, each section written by the script it names; not edited by hand." >"$page"
  fi
  if grep -q "^<!-- $section: begin -->$" "$page"; then
    awk -v begin="<!-- $section: begin -->" -v end="<!-- $section: end -->" -v block="$block" '
      $0 == begin { while ((getline line < block) > 0) print line; skip = 1; next }
      $0 == end { skip = 0; next }
      !skip' "$page" >"$page.tmp" && mv "$page.tmp" "$page"
  else
    { echo; cat "$block"; } >>"$page"
  fi
  rm -f "$block"
  echo "wrote the $section figures to docs/results.md" >&2
}
