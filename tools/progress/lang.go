package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// texts is everything progress says in one language. Test names, commands and
// the tests' own failure messages stay in English, as Go's do.
type texts struct {
	edition      course.Edition
	header       string // "Sockets in Go, step by step: your progress"
	count        string // "%d of %d steps done"
	lesson       string // "lesson %d (%s)"
	step         string // "Step %d — %s"
	stepNumber   string // "Step %d"
	noSection    string
	testsPass    string // "%d of %d tests pass"
	hangs        string
	fails        string
	dataRace     string
	noBuild      string
	skipped      string // "lessons before %d: not run (...)"
	next         string // "Next: %s, "
	nextBuild    string // "Next: make %s build again ..., then: cd %s && go test"
	read         string
	test         string
	hint         string
	firstFailure string // "First failure, %s:"
	hung         string // "%s hung: ... %s ..."
	raceWhere    string // "... go test -race -run Step%d ..."
	allDone      string
	noRace       string // "%s": why
	noEdition    string // "%s": lesson folders
	watching     string // "%s": folder
	checkingRace string // "%s": steps
	runningTests string
	runningStep  string
	changed      string // "%s": file
	lessonDone   string // "%s is complete! On to %s."
	watchAllDone string
	noNextStep   string
	lessonPasses string // "Every step of %s passes."
	more         string // "(%d more lines: %s)"
}

var english = texts{
	edition:      course.English,
	header:       "Sockets in Go, step by step: your progress",
	count:        "%d of %d steps done",
	lesson:       "lesson %d (%s)",
	step:         "Step %d — %s",
	stepNumber:   "Step %d",
	noSection:    "(no section in README.md)",
	testsPass:    "%d of %d tests pass",
	hangs:        "a test hangs",
	fails:        "fails",
	dataRace:     "a data race (go test -race)",
	noBuild:      "the tests did not build or start:",
	skipped:      "Lessons before lesson %d are not run (-from %d; -from 1 shows every lesson again).",
	next:         "Next: %s, ",
	nextBuild:    "Next: make %s build again (see above), then: cd %s && go test",
	read:         "Read",
	test:         "Test",
	hint:         "Hint",
	firstFailure: "First failure, %s:",
	hung:         "%s hung: it was still running after %s. Some call in your code blocks and never returns.",
	raceWhere:    "Two goroutines touch the same memory without synchronisation. To see both accesses: cd %s && go test -race -run Step%d",
	allDone:      "Every step of every lesson passes. Well done! Compare with solutions/, and measure: docs/benchmarks.md",
	noRace:       "Note: finished steps are checked without -race, which needs cgo (CGO_ENABLED=1) and a C compiler: %s.",
	noEdition:    "Note: %s has no README.es.md yet: its steps are shown in English.",
	watching:     "Watching %s for changes (Ctrl-C to stop)...",
	checkingRace: "Checking %s under -race...",
	runningTests: "Running the tests...",
	runningStep:  "running...",
	changed:      "%s changed: running the tests.",
	lessonDone:   "%s is complete! On to %s.",
	watchAllDone: "Every lesson passes. Still watching: save a change to try a mistake on finished code.",
	noNextStep:   "Every lesson is complete: there is no next step.",
	lessonPasses: "Every step of %s passes.",
	more:         "(%d more lines: %s)",
}

var spanish = texts{
	edition:      course.Spanish,
	header:       "Sockets en Go, paso a paso: tu progreso",
	count:        "%d de %d pasos hechos",
	lesson:       "lección %d (%s)",
	step:         "Paso %d — %s",
	stepNumber:   "paso %d",
	noSection:    "(sin sección en README.es.md)",
	testsPass:    "pasan %d de %d pruebas",
	hangs:        "una prueba se cuelga",
	fails:        "falla",
	dataRace:     "una carrera de datos (go test -race)",
	noBuild:      "las pruebas no compilan o no arrancan:",
	skipped:      "Las lecciones anteriores a la %d no se ejecutan (-from %d; -from 1 vuelve a mostrarlas todas).",
	next:         "Siguiente: %s, ",
	nextBuild:    "Siguiente: haz que %s compile de nuevo (mira arriba) y luego: cd %s && go test",
	read:         "Lee",
	test:         "Prueba",
	hint:         "Pista",
	firstFailure: "Primer fallo, %s:",
	hung:         "%s se quedó colgada: seguía en marcha tras %s. Alguna llamada de tu código se bloquea y nunca vuelve.",
	raceWhere:    "Dos goroutines tocan la misma memoria sin sincronizarse. Para ver los dos accesos: cd %s && go test -race -run Step%d",
	allDone:      "Todos los pasos de todas las lecciones pasan. ¡Bien hecho! Compara con solutions/ y mide: docs/es/benchmarks.md",
	noRace:       "Nota: los pasos terminados se comprueban sin -race, que necesita cgo (CGO_ENABLED=1) y un compilador de C: %s.",
	noEdition:    "Nota: %s aún no tiene README.es.md: sus pasos se muestran en inglés.",
	watching:     "Vigilando %s (Ctrl-C para parar)...",
	checkingRace: "Comprobando %s con -race...",
	runningTests: "Ejecutando las pruebas...",
	runningStep:  "en curso...",
	changed:      "%s cambió: ejecutando las pruebas.",
	lessonDone:   "¡%s está completa! Sigues con %s.",
	watchAllDone: "Todas las lecciones pasan. Sigo vigilando: guarda un cambio para probar un error sobre el código terminado.",
	noNextStep:   "Todas las lecciones están completas: no hay siguiente paso.",
	lessonPasses: "Todos los pasos de %s pasan.",
	more:         "(%d líneas más: %s)",
}

// language picks the texts: -lang if given, else Spanish when the locale
// (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them) is Spanish.
func language(flagValue string) (*texts, error) {
	lang := flagValue
	if lang == "" {
		for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if v := os.Getenv(name); v != "" {
				lang = v
				break
			}
		}
	}
	switch {
	case flagValue == "" && strings.HasPrefix(strings.ToLower(lang), "es"):
		return &spanish, nil
	case flagValue == "":
		return &english, nil
	case flagValue == "en":
		return &english, nil
	case flagValue == "es":
		return &spanish, nil
	}
	return nil, fmt.Errorf("-lang %s: the languages are en (English) and es (español)", flagValue)
}

// lessonTitle is the lesson's name for people: "lesson 1 (blocking)".
func (tx *texts) lessonTitle(l course.Lesson) string {
	_, topic, _ := strings.Cut(l.Name, "-")
	return fmt.Sprintf(tx.lesson, l.Number, topic)
}
