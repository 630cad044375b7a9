"""``videos.insert``'s snippet and status, from a session's ``video`` object."""

from __future__ import annotations

from typing import Any

from .vo.session import Session

MUSIC_CATEGORY = "10"


def youtube_metadata(session: Session) -> dict[str, Any]:
    video = session.spec.video
    snippet = {
        "title": video.get("title") or f"Visualizer render {session.id[:8]}",
        "description": video.get("description", ""),
        "categoryId": video.get("category_id", MUSIC_CATEGORY),
    }
    if video.get("tags"):
        snippet["tags"] = video["tags"]
    # YouTube publishes nothing whose audience is not declared; False unless the creator says otherwise.
    status = {"privacyStatus": video.get("privacy", "private"),
              "selfDeclaredMadeForKids": video.get("made_for_kids", False)}  # fmt: skip
    if video.get("publish_at"):
        status["publishAt"] = video["publish_at"]  # the request parser made sure the privacy is private
    return {"snippet": snippet, "status": status}
