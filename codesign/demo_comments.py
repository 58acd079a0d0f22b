"""Demo comments in five languages, with replies, official answers and "me too"s."""
from __future__ import annotations

import random
from datetime import timedelta

from codesign.comments.models import (
    Comment,
    Disposition,
    Flag,
    FlagReason,
    HideCategory,
    Kind,
    MeToo,
    Moderation,
)
from codesign.db import utcnow
from codesign.extensions import db

# (language, kind, section, text). Written as families, students and teachers would write.
SAMPLES = [
    ("en", Kind.CONCERN, "retention", "Why keep my child's attendance for three years after they leave? One year seems like plenty."),
    ("en", Kind.QUESTION, "access", "Will teachers be able to see the reasons for absences, like a medical appointment?"),
    ("en", Kind.SUGGESTION, "opt_out", "Please put the opt-out form on the school website and in the front office, in every language."),
    ("en", Kind.SUPPORT, "purpose", "My son missed a month last year before anyone called us. I wish this had existed then."),
    ("en", Kind.CONCERN, "sharing", "What happens to the data if the dashboard company is sold to another company?"),
    ("en", Kind.QUESTION, "general", "Will students be told that they are on the early-warning list?"),
    ("es", Kind.CONCERN, "retention", "¿Por qué guardar la asistencia de mi hija tres años después de que se vaya? Me parece demasiado tiempo."),
    ("es", Kind.QUESTION, "opt_out", "¿Cómo pido que mi hijo no aparezca en la lista? ¿Hay un formulario en español?"),
    ("es", Kind.SUGGESTION, "purpose", "Que llamen a las familias por teléfono y no solo por mensaje de texto. Muchos no leemos los textos de la escuela."),
    ("es", Kind.SUPPORT, "general", "Me parece bien si de verdad es para ayudar y no para castigar a los estudiantes."),
    ("es", Kind.CONCERN, "access", "No quiero que todo el personal de la oficina del distrito vea el nombre de mi hijo."),
    ("vi", Kind.QUESTION, "data_collected", "Lý do vắng mặt có được ghi lại không? Con tôi hay bị ốm."),
    ("vi", Kind.CONCERN, "sharing", "Công ty phần mềm có thể dùng dữ liệu của con tôi cho việc khác không?"),
    ("vi", Kind.SUGGESTION, "opt_out", "Xin hãy gửi thư bằng tiếng Việt để phụ huynh biết cách từ chối."),
    ("vi", Kind.SUPPORT, "purpose", "Tôi ủng hộ nếu nhà trường liên lạc sớm với gia đình."),
    ("zh", Kind.QUESTION, "retention", "孩子毕业以后，这些出勤记录会保存多久？"),
    ("zh", Kind.CONCERN, "access", "老师能看到缺勤的原因吗？有些原因是家庭隐私。"),
    ("zh", Kind.SUGGESTION, "general", "希望学校用中文打电话通知家长，而不是只发英文短信。"),
    ("zh", Kind.SUPPORT, "purpose", "及早发现问题是好事，我支持这个计划。"),
    ("ar", Kind.CONCERN, "retention", "لماذا تُحفظ بيانات حضور ابني ثلاث سنوات بعد مغادرته؟ هذه مدة طويلة."),
    ("ar", Kind.QUESTION, "opt_out", "كيف أطلب ألا يظهر اسم ابنتي في القائمة؟ هل يوجد نموذج بالعربية؟"),
    ("ar", Kind.SUGGESTION, "access", "أقترح أن يرى المرشد المدرسي فقط الأسماء، وليس موظفي المكتب."),
    ("ar", Kind.SUPPORT, "general", "أؤيد المقترح إذا كان الهدف مساعدة الطلاب وليس معاقبتهم."),
    ("en", Kind.QUESTION, "sharing", "Is the company allowed to keep a copy after the contract ends?"),
    ("en", Kind.CONCERN, "data_collected", "Recording the reason for every absence feels like too much. Some reasons are private."),
]
REPLIES = {
    "en": "Same question here. Our family would like an answer before the board meets.",
    "es": "Estoy de acuerdo. Mi familia piensa lo mismo.",
    "vi": "Tôi cũng có câu hỏi giống vậy.",
    "zh": "我也有同样的担心。",
    "ar": "أتفق معك، ولدي السؤال نفسه.",
}
ANSWERS = {
    "retention": "Thank you. Many families raised this, and version 2 keeps the data for one year instead of three.",
    "access": "District office staff will see only totals per school in version 2, never names.",
    "opt_out": "The opt-out form will be available in all ten district languages at every school office and online.",
    "sharing": "The contract forbids any other use and requires the company to delete all copies within 30 days of the contract ending.",
}


def load_demo_comments(voters, proposals_by_title) -> None:
    """About 200 comments on the demo proposals from the fictional voters."""
    rng = random.Random(13)
    attendance = proposals_by_title["Attendance early-warning dashboard"]
    climate = proposals_by_title["Student survey on school climate"]
    now = utcnow()
    created = []
    for n in range(180):
        language, kind, section, text = SAMPLES[n % len(SAMPLES)]
        proposal = attendance if n % 6 else climate
        author = rng.choice(voters)
        comment = Comment(
            proposal_id=proposal.id, version_id=proposal.current_version_id, author_id=author.id,
            kind=kind, section=section if proposal is attendance else "general",
            stakeholder_group=author.stakeholder_group, language=language, body=text,
            created_at=now - timedelta(hours=rng.randint(1, 24 * 35)),
        )
        created.append(comment)
    db.session.add_all(created)
    db.session.flush()
    for parent in rng.sample(created, 25):
        author = rng.choice(voters)
        db.session.add(Comment(
            proposal_id=parent.proposal_id, version_id=parent.version_id, author_id=author.id,
            parent_id=parent.id, kind=parent.kind, section=parent.section,
            stakeholder_group=author.stakeholder_group, language=parent.language,
            body=REPLIES[parent.language], created_at=parent.created_at + timedelta(hours=3),
        ))
    for comment in created:
        if comment.section in ANSWERS and rng.random() < 0.3:
            comment.official_answer = ANSWERS[comment.section]
            comment.answered_at = comment.created_at + timedelta(days=2)
            comment.disposition = Disposition.ANSWERED
        elif rng.random() < 0.15:
            comment.disposition = Disposition.RESPONSE_LOG
    for comment in rng.sample(created, 60):
        agreeing = [v for v in rng.sample(voters, rng.randint(1, 12)) if v.id != comment.author_id]
        for voter in agreeing:
            db.session.add(MeToo(comment_id=comment.id, user_id=voter.id))
        comment.metoo_count = len(agreeing)
    _moderation_examples(attendance, voters, now)
    db.session.commit()


def _moderation_examples(proposal, voters, now) -> None:
    """Something for the moderation queue: a comment held for a phone number, one a reader
    reported, and one hidden as spam (its placeholder shows on the proposal)."""
    def add(author, language, text, **fields):
        comment = Comment(proposal_id=proposal.id, version_id=proposal.current_version_id, author_id=author.id,
                          kind=Kind.CONCERN, section="general", stakeholder_group=author.stakeholder_group,
                          language=language, body=text, created_at=now - timedelta(hours=2), **fields)
        db.session.add(comment)
        return comment

    add(voters[0], "es", "", moderation=Moderation.HELD, held_for="phone",
        moderated_body="Llámenme al 555-201-3344, mi hijo falta mucho por el autobús.")
    reported = add(voters[1], "en", "The people who wrote this proposal clearly never had kids.")
    add(voters[2], "en", "", moderation=Moderation.HIDDEN, hidden_category=HideCategory.SPAM, moderated_at=now,
        moderated_body="Cheap tutoring! Visit our website for a discount.")
    db.session.flush()
    db.session.add(Flag(comment_id=reported.id, user_id=voters[3].id, reason=FlagReason.HARASSMENT))
