"""What the tests share: the application harness, fixtures made of rows and
updates, processes, checks of rendered text and pictures. Test modules import
from here, never from each other."""

from __future__ import annotations


