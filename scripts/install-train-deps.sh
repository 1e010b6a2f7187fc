#!/bin/sh
# Debian packages the training scripts (models/train/) read their content pictures from,
# on top of scripts/install-deps.sh; models/artem_models/data.py names the folders.
set -e
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends opencv-doc mate-backgrounds gnome-backgrounds \
  ukui-wallpapers lomiri-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 \
  plasma-workspace-wallpapers palapeli-data gcompris-qt-data
