"""Translations of the demo proposals (fictional), for the language-access demo."""
from __future__ import annotations

TEXTS = {
    "attendance": {
        "es": {
            "title": "Panel de alerta temprana de asistencia",
            "summary": (
                "Un panel que señala a los estudiantes que empiezan a faltar a la escuela, para que los "
                "consejeros puedan comunicarse con sus familias en las primeras semanas y no al final del trimestre."
            ),
            "body": (
                "## Por qué hacemos esta propuesta\n\n"
                "El año pasado, uno de cada seis estudiantes de Riverside faltó más de 18 días a la escuela. "
                "La mayoría empezó a faltar en el otoño, y nos dimos cuenta demasiado tarde.\n\n"
                "## Qué cambiaría\n\n"
                "- Los consejeros verían cada semana una lista de los estudiantes con tres o más ausencias en un mes.\n"
                "- Las familias recibirían una llamada o un mensaje de texto en su idioma, nunca solo una carta.\n"
                "- Ningún estudiante sería sancionado a causa del panel.\n"
            ),
            "data_collected": "Las marcas diarias de asistencia, el motivo de cada ausencia cuando la familia lo indica, y la escuela y el grado del estudiante.",
            "purpose": "Detectar a tiempo cuando un estudiante está faltando a la escuela y ofrecerle ayuda (transporte, salud, apoyo familiar) antes de que se atrase.",
            "access": "Solo el consejero y el director de la escuela del estudiante. El personal de la oficina del distrito ve totales por escuela, nunca nombres.",
            "retention": "Un año escolar después de que el estudiante deje el distrito; luego los datos se eliminan.",
            "sharing": "La empresa del software del panel guarda los datos en nombre del distrito y no puede usarlos para nada más.",
            "opt_out": "La ley estatal exige llevar registros de asistencia, pero una familia puede pedir que su estudiante no aparezca en la lista de alerta temprana escribiendo a la oficina de la escuela.",
        },
        "vi": {
            "title": "Bảng theo dõi cảnh báo sớm về chuyên cần",
            "summary": (
                "Một bảng theo dõi đánh dấu những học sinh bắt đầu nghỉ học, để các cố vấn học đường có thể "
                "liên lạc với gia đình các em ngay trong những tuần đầu thay vì đợi đến cuối học kỳ."
            ),
            "body": (
                "## Vì sao chúng tôi đưa ra đề xuất này\n\n"
                "Năm ngoái, cứ sáu học sinh Riverside thì có một em nghỉ học hơn 18 ngày. "
                "Phần lớn các em bắt đầu nghỉ học từ mùa thu, và chúng tôi đã nhận ra quá muộn.\n\n"
                "## Những gì sẽ thay đổi\n\n"
                "- Mỗi tuần, các cố vấn học đường sẽ xem danh sách những học sinh vắng mặt từ ba buổi trở lên trong một tháng.\n"
                "- Gia đình sẽ nhận được cuộc gọi điện thoại hoặc tin nhắn bằng ngôn ngữ của mình, không bao giờ chỉ là một lá thư.\n"
                "- Không học sinh nào bị kỷ luật vì bảng theo dõi này.\n"
            ),
            "data_collected": "Điểm danh hằng ngày, lý do của mỗi lần vắng mặt khi gia đình cho biết, cùng với trường và lớp của học sinh.",
            "purpose": "Để sớm nhận biết khi một học sinh nghỉ học nhiều và hỗ trợ (đưa đón, sức khỏe, hỗ trợ gia đình) trước khi các em bị chậm lại trong việc học.",
            "access": "Chỉ cố vấn học đường và hiệu trưởng của học sinh. Nhân viên văn phòng học khu chỉ xem số liệu tổng cộng theo từng trường, không bao giờ thấy tên.",
            "retention": "Một năm học sau khi học sinh rời học khu, sau đó dữ liệu sẽ bị xóa.",
            "sharing": "Công ty phần mềm của bảng theo dõi lưu trữ dữ liệu thay mặt học khu và không được sử dụng dữ liệu vào bất kỳ mục đích nào khác.",
            "opt_out": "Luật tiểu bang bắt buộc phải lưu hồ sơ chuyên cần, nhưng quý vị có thể yêu cầu không đưa con em mình vào danh sách cảnh báo sớm bằng cách viết thư gửi văn phòng nhà trường.",
        },
    },
    "attendance_v1_ar": {
        "title": "لوحة الإنذار المبكر للحضور",
        "summary": (
            "لوحة متابعة تُنبّه إلى الطلاب الذين بدأوا يتغيّبون عن المدرسة، حتى يتمكّن المرشدون من التواصل "
            "مع أسرهم في الأسابيع الأولى بدلًا من نهاية الفصل الدراسي."
        ),
        "body": (
            "## لماذا نقترح هذا\n\n"
            "في العام الماضي، تغيّب طالب واحد من كل ستة طلاب في Riverside أكثر من 18 يومًا عن المدرسة. "
            "وقد بدأ معظمهم بالتغيّب في الخريف، ولم ننتبه إلا بعد فوات الأوان.\n\n"
            "## ما الذي سيتغيّر\n\n"
            "- سيرى المرشدون كل أسبوع قائمة بالطلاب الذين تغيّبوا ثلاث مرات أو أكثر خلال شهر واحد.\n"
            "- ستتلقّى الأسر مكالمة هاتفية أو رسالة نصية بلغتها، وليس رسالة ورقية وحدها أبدًا.\n"
            "- لن يتعرّض أي طالب لإجراء تأديبي بسبب لوحة المتابعة.\n"
        ),
        "data_collected": "سجلات الحضور اليومية، وسبب كل غياب عندما تذكره الأسرة، ومدرسة الطالب وصفّه الدراسي.",
        "purpose": "الانتباه مبكرًا إلى تغيّب الطالب عن المدرسة وتقديم المساعدة (النقل، الصحة، دعم الأسرة) قبل أن يتأخّر في دراسته.",
        "access": "المرشد والمدير في مدرسة الطالب، واثنان من موظفي الحضور في مكتب المنطقة التعليمية. ولا يرى المعلمون إلا طلاب صفّهم.",
        "retention": "ثلاث سنوات دراسية بعد مغادرة الطالب المنطقة التعليمية، ثم تُحذف البيانات.",
        "sharing": "تخزّن الشركة المزوّدة لبرنامج لوحة المتابعة البيانات نيابةً عن المنطقة التعليمية، ولا يجوز لها استخدامها لأي غرض آخر.",
        "opt_out": "سجلات الحضور مطلوبة بموجب قانون الولاية، لكن يمكن للأسرة أن تطلب عدم إدراج الطالب في قائمة الإنذار المبكر بالكتابة إلى مكتب المدرسة.",
    },
    "climate": {
        "es": {
            "title": "Encuesta a los estudiantes sobre el ambiente escolar",
            "summary": "Una breve encuesta anual que pregunta a los estudiantes de 6.º a 12.º grado si se sienten seguros y bienvenidos en la escuela.",
            "body": "La encuesta toma diez minutos en clase. Los resultados se informan solo para grupos de 10 o más estudiantes.",
            "data_collected": "Respuestas a 20 preguntas sobre seguridad, sentido de pertenencia y apoyo de los adultos, junto con el grado y la escuela. Sin nombres ni números de identificación del estudiante.",
            "purpose": "Saber qué escuelas necesitan más apoyo y si los cambios hechos el año pasado ayudaron.",
            "access": "La oficina de investigación ve las respuestas; los directores ven los resultados de su escuela para grupos de 10 o más.",
            "retention": "Las respuestas se guardan durante cinco años para compararlas a lo largo del tiempo y luego se eliminan.",
            "sharing": "Nadie fuera del distrito.",
            "opt_out": "Los estudiantes pueden saltarse cualquier pregunta o toda la encuesta; usted puede excluir a su estudiante enviando una nota al maestro.",
        },
        "vi": {
            "title": "Khảo sát học sinh về môi trường học đường",
            "summary": "Một bản khảo sát ngắn hằng năm hỏi học sinh từ lớp 6 đến lớp 12 xem các em có cảm thấy an toàn và được chào đón ở trường hay không.",
            "body": "Bản khảo sát mất mười phút trong giờ học. Kết quả chỉ được báo cáo theo nhóm từ 10 học sinh trở lên.",
            "data_collected": "Câu trả lời cho 20 câu hỏi về sự an toàn, cảm giác gắn bó và sự hỗ trợ của người lớn, kèm theo lớp và trường. Không có tên hay mã số học sinh.",
            "purpose": "Để biết trường nào cần được hỗ trợ thêm, và những thay đổi thực hiện năm ngoái có giúp ích hay không.",
            "access": "Văn phòng nghiên cứu xem các câu trả lời; hiệu trưởng xem kết quả của trường mình theo nhóm từ 10 người trở lên.",
            "retention": "Câu trả lời được lưu giữ trong năm năm để so sánh theo thời gian, sau đó sẽ bị xóa.",
            "sharing": "Không chia sẻ với bất kỳ ai bên ngoài học khu.",
            "opt_out": "Học sinh có thể bỏ qua bất kỳ câu hỏi nào hoặc toàn bộ bản khảo sát; quý vị có thể cho con em mình không tham gia bằng cách gửi giấy báo cho giáo viên.",
        },
    },
    "bus": {
        "es": {
            "title": "Compartir la ubicación del teléfono para seguir el autobús escolar",
            "summary": "Una aplicación que usaría la ubicación de los teléfonos de los estudiantes para avisar a las familias cuando el autobús esté cerca.",
            "body": "En la primavera, el distrito preguntó a las familias si los teléfonos de los estudiantes debían compartir su ubicación en el camino a la escuela.",
            "data_collected": "La ubicación del teléfono de cada estudiante que viaja en el autobús, cada minuto entre las 6 y las 9 a. m. y entre las 2 y las 5 p. m.",
            "purpose": "Avisar a las familias cuando el autobús esté a cinco minutos.",
            "access": "El personal de transporte y la empresa de la aplicación.",
            "retention": "Treinta días.",
            "sharing": "La empresa de la aplicación, que aloja los datos.",
            "opt_out": "Las familias podían desactivar el uso compartido de la ubicación en la aplicación.",
        },
        "vi": {
            "title": "Chia sẻ vị trí điện thoại để theo dõi xe buýt trường học",
            "summary": "Một ứng dụng sẽ sử dụng vị trí điện thoại của học sinh để báo cho gia đình biết khi xe buýt sắp đến.",
            "body": "Vào mùa xuân, học khu đã hỏi ý kiến các gia đình về việc điện thoại của học sinh có nên chia sẻ vị trí trên đường đến trường hay không.",
            "data_collected": "Vị trí điện thoại của mỗi học sinh đi xe buýt, mỗi phút một lần, từ 6 đến 9 giờ sáng và từ 2 đến 5 giờ chiều.",
            "purpose": "Để báo cho gia đình biết khi xe buýt còn cách năm phút.",
            "access": "Nhân viên bộ phận đưa đón và công ty cung cấp ứng dụng.",
            "retention": "Ba mươi ngày.",
            "sharing": "Công ty cung cấp ứng dụng, nơi lưu trữ dữ liệu.",
            "opt_out": "Gia đình có thể tắt tính năng chia sẻ vị trí trong ứng dụng.",
        },
    },
}
