#!/usr/bin/env bash
# Printed notices embed Debian's CJK TrueType fonts (libs/common/pdf.py): AR PL UMing
# for the text, Hanazono for the rare characters it lacks. Install them when missing and we are
# root; never fail here (a notice then fails with an error naming what to install).
fonts=(/usr/share/fonts/truetype/arphic/uming.ttc /usr/share/fonts/truetype/hanazono/HanaMinB.ttf)
missing=0
for f in "${fonts[@]}"; do [ -f "$f" ] || missing=1; done
[ "$missing" -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "fonts: installing fonts-arphic-uming fonts-hanazono with apt"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-arphic-uming fonts-hanazono >/dev/null) \
    || echo "fonts: could not install them; printed notices and their tests need them" >&2
else
  echo "fonts: printed notices need Debian's fonts-arphic-uming and fonts-hanazono (or BIANMIN_NOTICE_FONT)" >&2
fi
exit 0
