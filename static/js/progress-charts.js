// Patient progress page: draws the charts from the JSON the page embeds (json_script with
// id "progress-data"). Every chart has a table alternative in the page, so nothing here is
// the only way to read the figures.
(function () {
  "use strict";
  var source = document.getElementById("progress-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var INK = "#14202b";
  // A percentage as every page writes it (apps/core/formats.py, percent_text): "57 %",
  // "40.6 %", never "57%".
  function percentText(value) {
    return String(Math.round(value * 10) / 10) + " %";
  }
  var LEVEL_COLOURS = ["#0b5e6b", "#7a4b00", "#1d6b2f", "#5b2a86", "#a3141c", "#08434c"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.color = INK;
  Chart.defaults.font.size = 14;
  Chart.defaults.maintainAspectRatio = false;
  if (reduceMotion) {
    Chart.defaults.animation = false;
  }

  function shortDate(iso, after) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2] + (after || 0)));
    return day.toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
  }

  // The ladder and pain charts put each day at its x (days after data.start) on a linear axis
  // from the start of the charts to today: a day without sets is a gap of its own width, where
  // a category axis of the logged days closed up around it and hid missed days. Half a day
  // of room at each end keeps a first or last day (or a lone one) off the axes. A level
  // change may take effect tomorrow, so the axis reaches the last x charted if later.
  function dayAxis(xs) {
    var last = Math.max.apply(null, [data.end_x].concat(xs));
    return {
      type: "linear",
      min: -0.5,
      max: last + 0.5,
      ticks: {
        precision: 0,
        includeBounds: false,
        callback: function (x) { return Number.isInteger(x) ? shortDate(data.start, x) : null; }
      }
    };
  }

  function dayTitle(items) {
    return items.length ? shortDate(data.start, items[0].parsed.x) : "";
  }

  // A week with sets prescribed and none done is a real 0 %: a bar of height 0 drew nothing,
  // which looked like a week with nothing prescribed (no bar, no label). Its bar is kept a
  // thin line on the axis (minBarLength) and "0 %" is written over it, when the week's slot
  // has room for the words (not with a year of weeks on a phone: the line alone says it).
  var zeroWeekLabels = {
    id: "zeroWeekLabels",
    afterDatasetsDraw: function (chart) {
      var bars = chart.getDatasetMeta(0).data;
      var slot = (chart.chartArea.right - chart.chartArea.left) / Math.max(bars.length, 1);
      var ctx = chart.ctx;
      var text = percentText(0);
      ctx.save();
      ctx.fillStyle = INK;
      ctx.font = Chart.helpers.toFont(Chart.defaults.font).string;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      if (ctx.measureText(text).width < slot) {
        data.weeks.forEach(function (week, i) {
          if (week.percent === 0) { ctx.fillText(text, bars[i].x, bars[i].y - 4); }
        });
      }
      ctx.restore();
    }
  };

  function drawWeeks(canvas) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.weeks.map(function (w) { return shortDate(w.start); }),
        datasets: [{
          label: "Adherence (%)",
          data: data.weeks.map(function (w) { return w.percent; }),
          backgroundColor: "#0b5e6b",
          minBarLength: 3
        }]
      },
      plugins: [zeroWeekLabels],
      options: {
        scales: { y: { min: 0, max: 100, title: { display: true, text: "% of prescribed sets done" } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (ctx) { return "Adherence: " + percentText(ctx.parsed.y); },
              afterLabel: function (ctx) {
                var week = data.weeks[ctx.dataIndex];
                return week.completed + " of " + week.prescribed + " sets";
              }
            }
          }
        }
      }
    });
  }

  // Vertical dashed lines at the days a ladder level changed (their x, days after the start).
  var levelChangeLines = {
    id: "levelChangeLines",
    afterDatasetsDraw: function (chart, args, options) {
      var xScale = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      (options.days || []).forEach(function (day) {
        var x = xScale.getPixelForValue(day);
        ctx.save();
        ctx.strokeStyle = INK;
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        ctx.restore();
      });
    }
  };

  function drawLadder(canvas, ladder) {
    var levels = [];
    ladder.points.forEach(function (p) {
      if (levels.indexOf(p.level) === -1) { levels.push(p.level); }
    });
    levels.sort(function (a, b) { return a - b; });
    var datasets = levels.map(function (level, i) {
      var colour = LEVEL_COLOURS[i % LEVEL_COLOURS.length];
      return {
        label: level === null ? "Best reps" : "Level " + level,
        data: ladder.points
          .filter(function (p) { return p.level === level; })
          .map(function (p) { return { x: p.x, y: p.reps }; }),
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: ["circle", "rect", "triangle", "rectRot", "star", "cross"][i % 6],
        pointRadius: 5
      };
    });
    var changes = ladder.changes.map(function (c) { return c.x; });
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        scales: {
          x: dayAxis(ladder.points.map(function (p) { return p.x; }).concat(changes)),
          y: { beginAtZero: true, title: { display: true, text: "Best reps in one set" } }
        },
        plugins: {
          tooltip: { callbacks: { title: dayTitle } },
          levelChangeLines: { days: changes }
        }
      },
      plugins: [levelChangeLines]
    });
  }

  // A dashed rule across the whole plot at the clinic's alert level. Drawn as a line dataset
  // it needed two days of logs: with one day there was a single point and no line at all.
  // The empty dataset of that name keeps the legend entry, and hiding it there hides the rule.
  var alertLevelRule = {
    id: "alertLevelRule",
    afterDatasetsDraw: function (chart, args, options) {
      if (options.dataset === undefined || !chart.isDatasetVisible(options.dataset)) { return; }
      var area = chart.chartArea;
      var y = chart.scales.y.getPixelForValue(options.level);
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = INK;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(area.left, y);
      ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.restore();
    }
  };

  function drawPain(canvas) {
    function series(key) { return data.pain.map(function (p) { return { x: p.x, y: p[key] }; }); }
    var datasets = [
      { label: "Highest pain", data: series("max"), borderColor: "#a3141c", backgroundColor: "#a3141c", pointStyle: "triangle", pointRadius: 4 },
      { label: "Average pain", data: series("avg"), borderColor: "#0b5e6b", backgroundColor: "#0b5e6b", pointRadius: 3 }
    ];
    var rule = {};
    if (data.pain_alert_level) {
      rule = { dataset: datasets.length, level: data.pain_alert_level };
      datasets.push({
        label: "Alert level (" + data.pain_alert_level + ")",
        data: [], borderColor: INK, borderDash: [6, 4], pointRadius: 0, borderWidth: 1
      });
    }
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        scales: {
          x: dayAxis(data.pain.map(function (p) { return p.x; })),
          y: { min: 0, max: 10, title: { display: true, text: "Pain (0–10)" } }
        },
        plugins: { tooltip: { callbacks: { title: dayTitle } }, alertLevelRule: rule }
      },
      plugins: [alertLevelRule]
    });
  }

  var weeks = document.getElementById("chart-weeks");
  if (weeks) { drawWeeks(weeks); }
  document.querySelectorAll("canvas[data-ladder]").forEach(function (canvas) {
    drawLadder(canvas, data.ladders[+canvas.getAttribute("data-ladder")]);
  });
  var pain = document.getElementById("chart-pain");
  if (pain) { drawPain(pain); }
})();
