"""Demo surveys: one open survey about the attendance dashboard with about 150 responses (some
on paper), and one closed survey whose results are published. Fictional people only."""
from __future__ import annotations

import random
from datetime import timedelta

from codesign.accounts.models import StakeholderGroup, User
from codesign.comments.models import Channel
from codesign.db import utcnow
from codesign.extensions import db
from codesign.surveys import service
from codesign.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    TextReview,
)

# (kind, prompt, options, settings, {locale: (prompt, [options])})
ATTENDANCE_QUESTIONS = [
    (QuestionKind.SINGLE, "How long should the district keep attendance reasons after a student leaves?",
     ["Until the end of the school year", "One year", "Three years", "As long as the law requires"],
     dict(required=True, allow_other=True),
     {"es": ("¿Cuánto tiempo debe guardar el distrito los motivos de las ausencias después de que un estudiante se va?",
             ["Hasta el final del año escolar", "Un año", "Tres años", "El tiempo que exija la ley"]),
      "ar": ("كم من الوقت يجب أن تحتفظ المنطقة التعليمية بأسباب الغياب بعد مغادرة الطالب؟",
             ["حتى نهاية العام الدراسي", "سنة واحدة", "ثلاث سنوات", "المدة التي يفرضها القانون"])}),
    (QuestionKind.MULTIPLE, "Who should be able to see why a student was absent?",
     ["The student's counselor", "Teachers", "The principal", "Only the family"], dict(max_choices=2),
     {"es": ("¿Quién debería poder ver por qué faltó un estudiante?",
             ["El consejero del estudiante", "Los maestros", "El director", "Solo la familia"]),
      "ar": ("من يجب أن يتمكن من معرفة سبب غياب الطالب؟",
             ["مرشد الطالب", "المعلمون", "مدير المدرسة", "الأسرة فقط"])}),
    (QuestionKind.SCALE, "A weekly attendance list would help counselors reach students sooner.", [], {},
     {"es": ("Una lista semanal de asistencia ayudaría a los consejeros a llegar antes a los estudiantes.", []),
      "ar": ("ستساعد قائمة الحضور الأسبوعية المرشدين على الوصول إلى الطلاب في وقت أبكر.", [])}),
    (QuestionKind.RANKING, "Put these in order: what matters most to you?",
     ["Keeping the data private", "Help that arrives early", "Families hear first, in their language"], {},
     {"es": ("Ordene estas opciones: ¿qué es lo más importante para usted?",
             ["Que los datos sean privados", "Ayuda que llegue pronto", "Que la familia se entere primero, en su idioma"]),
      "ar": ("رتّب هذه الخيارات: ما الأهم بالنسبة لك؟",
             ["الحفاظ على خصوصية البيانات", "مساعدة تصل مبكرًا", "أن تعرف الأسرة أولًا وبلغتها"])}),
    (QuestionKind.LONG_TEXT, "Is there anything else the district should know?", [], {},
     {"es": ("¿Hay algo más que el distrito deba saber?", []),
      "ar": ("هل هناك أي شيء آخر يجب أن تعرفه المنطقة التعليمية؟", [])}),
]
ATTENDANCE_TITLE = {
    "": "Attendance dashboard: what would you accept?",
    "es": "Panel de asistencia: ¿qué aceptaría usted?",
    "ar": "لوحة متابعة الحضور: ما الذي تقبله؟",
}
ATTENDANCE_INTRO = {
    "": "Five questions, about two minutes. Your answers help us decide how the attendance dashboard would work. "
        "Nobody sees your name next to your answers.",
    "es": "Cinco preguntas, unos dos minutos. Sus respuestas nos ayudan a decidir cómo funcionaría el panel de asistencia. "
          "Nadie ve su nombre junto a sus respuestas.",
    "ar": "خمسة أسئلة، في دقيقتين تقريبًا. تساعدنا إجاباتك على تحديد طريقة عمل لوحة متابعة الحضور. "
          "لا يرى أحد اسمك بجانب إجاباتك.",
}
TEXT_ANSWERS = [
    ("Please make sure the phone calls come in Vietnamese too.", "en", TextReview.PUBLISHED),
    ("Mi hija falta por citas médicas; no quiero que eso quede en un archivo por años.", "es", TextReview.PUBLISHED),
    ("نريد أن نعرف من يطّلع على بيانات أطفالنا.", "ar", TextReview.PUBLISHED),
    ("My son Marcus at Lincoln Elementary missed school because of his asthma, call me at 555-0199.", "en",
     TextReview.PENDING),
    ("Counselors already have too many students; the list alone will not help.", "en", TextReview.PUBLISHED),
]
COMMUNICATION_QUESTIONS = [
    (QuestionKind.SINGLE, "How would you like the district to reach you?",
     ["Text message", "Phone call", "Email", "A letter sent home"], dict(required=True),
     {"es": ("¿Cómo prefiere que el distrito se comunique con usted?",
             ["Mensaje de texto", "Llamada telefónica", "Correo electrónico", "Una carta a la casa"]),
      "ar": ("كيف تفضّل أن تتواصل معك المنطقة التعليمية؟",
             ["رسالة نصية", "مكالمة هاتفية", "بريد إلكتروني", "رسالة ورقية إلى المنزل"])}),
    (QuestionKind.SCALE, "I understand how the district uses my child's data.", [], {},
     {"es": ("Entiendo cómo usa el distrito los datos de mi hijo o hija.", []),
      "ar": ("أفهم كيف تستخدم المنطقة التعليمية بيانات طفلي.", [])}),
]
COMMUNICATION_TITLE = {
    "": "How should we talk with families?",
    "es": "¿Cómo debemos comunicarnos con las familias?",
    "ar": "كيف نتواصل مع الأسر؟",
}


def load_demo_surveys(district, staff, proposal=None) -> bool:
    """Create the demo surveys once; False if the district already has surveys."""
    if db.session.scalar(db.select(Survey.id).where(Survey.district_id == district.id).limit(1)):
        return False
    rng = random.Random(150)
    now = utcnow()
    people = list(db.session.scalars(db.select(User).where(User.username.like("demo-voter-%")).order_by(User.id)))
    attendance = _survey(district, staff, ATTENDANCE_TITLE, ATTENDANCE_INTRO, ATTENDANCE_QUESTIONS,
                         proposal_id=proposal.id if proposal else None,
                         opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=21))
    _answers(attendance, rng, people, paper=80, texts=TEXT_ANSWERS, staff=staff)
    communication = _survey(district, staff, COMMUNICATION_TITLE, {}, COMMUNICATION_QUESTIONS, proposal_id=None,
                            opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60))
    _answers(communication, rng, people[:50], paper=14, texts=[], staff=staff)
    service.set_results_public(communication, True)
    return True


def _survey(district, staff, titles, intros, questions, *, proposal_id, opens_at, closes_at) -> Survey:
    survey = service.create_survey(district, staff, title=titles[""], intro=intros.get("", ""),
                                   proposal_id=proposal_id, opens_at=opens_at, closes_at=closes_at)
    created = []
    for kind, prompt, options, settings, _translations in questions:
        created.append(service.add_question(
            survey, kind=kind, prompt=prompt, options=options, required=settings.get("required", False),
            allow_other=settings.get("allow_other", False), max_choices=settings.get("max_choices")))
    loaded = service.questions_of(survey)
    for locale in ("es", "ar"):
        texts = {"title": titles[locale]}
        if intros:
            texts["intro"] = intros[locale]
        for question, (_kind, _prompt, _options, _settings, translations) in zip(loaded, questions, strict=True):
            prompt, labels = translations[locale]
            texts[question.key] = prompt
            texts.update({option.key: label for option, label in zip(question.options, labels, strict=True)})
        service.save_translation(survey, locale, texts, set(texts))
    service.publish_survey(survey)
    return survey


PAPER_GROUPS = [StakeholderGroup.FAMILY] * 6 + [StakeholderGroup.STUDENT] * 2 + [StakeholderGroup.COMMUNITY_MEMBER]
PAPER_LANGUAGES = ["es", "es", "en", "vi", "ar", "zh"]


def _answers(survey, rng, people, *, paper: int, texts, staff) -> None:
    """Responses written straight to the tables (the demo's people never sign in)."""
    questions = service.questions_of(survey)
    respondents = [(person.id, Channel.ONLINE, person.preferred_locale, person.stakeholder_group) for person in people]
    respondents += [(None, Channel.PAPER, rng.choice(PAPER_LANGUAGES), rng.choice(PAPER_GROUPS)) for _ in range(paper)]
    text_queue = list(texts)
    responses = [SurveyResponse(survey_id=survey.id, user_id=user_id, channel=channel, language=language,
                                stakeholder_group=group, entered_by_id=staff.id if user_id is None else None)
                 for user_id, channel, language, group in respondents]
    db.session.add_all(responses)
    db.session.flush()  # one INSERT for them all, which gives each its id
    for response, (_user_id, _channel, _language, group) in zip(responses, respondents, strict=True):
        for question in questions:
            options = [option.id for option in question.options]
            if question.kind == QuestionKind.SINGLE:
                weights = [4, 5, 2, 1][: len(options)] if group == StakeholderGroup.FAMILY else [2, 3, 3, 2][: len(options)]
                db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id,
                                            option_id=rng.choices(options, weights=weights)[0],
                                            review=TextReview.PUBLISHED))
            elif question.kind == QuestionKind.MULTIPLE:
                for option_id in rng.sample(options, k=rng.randint(1, question.max_choices or 1)):
                    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, option_id=option_id,
                                                review=TextReview.PUBLISHED))
            elif question.kind == QuestionKind.SCALE:
                db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id,
                                            scale=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 3, 5, 3])[0],
                                            review=TextReview.PUBLISHED))
            elif question.kind == QuestionKind.RANKING:
                order = rng.sample(options, k=len(options))
                for rank, option_id in enumerate(order, start=1):
                    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, option_id=option_id,
                                                rank=rank, review=TextReview.PUBLISHED))
            elif text_queue and rng.random() < 0.2:
                text, _language, review = text_queue.pop(0)
                db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, text=text, review=review))
    db.session.commit()
